"""``daphne_socket`` reaches into daphne, autobahn and Twisted: pin what it relies on, so an
upgrade of any of them fails here, loudly, and not on production sockets.

The connection is built in-process the way daphne builds one (daphne's protocol factory, a
Twisted TCP transport on a real socket) on a memory reactor, so no reactor is installed in the
test process and nothing runs in the background."""

import functools
import importlib.metadata
import importlib.util
import socket
from collections import deque
from pathlib import Path

import autobahn
import daphne
import pytest
import twisted
from daphne.ws_protocol import WebSocketFactory
from twisted.internet import tcp
from twisted.internet.testing import MemoryReactorClock

from eventhub.realtime.daphne_socket import CLOSE_POLICY_VIOLATION, TESTED_VERSIONS, DaphneSocket, wire
from eventhub.realtime.frames import OutgoingFrame


def test_the_installed_versions_are_the_ones_the_adapter_was_written_for():
    installed = {name: importlib.metadata.version(name) for name in TESTED_VERSIONS}

    assert installed == TESTED_VERSIONS == {"daphne": "4.2.3", "twisted": "26.10.0", "autobahn": "26.7.1"}
    assert (daphne.__version__, twisted.__version__, autobahn.__version__) == ("4.2.3", "26.10.0", "26.7.1")


def test_daphne_hands_the_application_a_send_bound_to_its_protocol():
    # DaphneSocket.of recognizes daphne by this `send`; read as text, because importing
    # daphne.server installs a Twisted reactor in the test process.
    server_source = Path(importlib.util.find_spec("daphne.server").origin).read_text()

    assert "send=partial(self.handle_reply, protocol)," in server_source


class _Server:
    def handle_reply(self, protocol, message):
        raise AssertionError("the adapter writes to the protocol, never through daphne's send")


@pytest.fixture
def connection():
    """A daphne WebSocket protocol on a Twisted TCP transport, and the client's end of the socket."""
    reactor = MemoryReactorClock()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        server_socket, address = listener.accept()
    factory = WebSocketFactory(None, reactor=reactor)
    factory.setProtocolOptions(openHandshakeTimeout=0, closeHandshakeTimeout=0)  # no timers
    protocol = factory.buildProtocol(address)
    transport = tcp.Server(server_socket, protocol, address, None, 0, reactor)
    protocol.makeConnection(transport)
    client.settimeout(2)
    yield protocol, transport, client
    client.close()
    server_socket.close()


def test_the_private_attributes_it_touches_exist(connection):
    protocol, transport, _client = connection

    assert protocol.state == protocol.STATE_CONNECTING
    assert isinstance(protocol.STATE_OPEN, int)
    assert protocol.send_queue == deque()
    assert callable(protocol.sendCloseFrame)
    assert transport.TLS is False
    assert isinstance(transport.socket, socket.socket)
    assert (transport.dataBuffer, transport.offset, transport._tempDataBuffer, transport._tempDataLen) == (
        b"",
        0,
        [],
        0,
    )
    assert not transport.disconnected
    assert callable(transport.write)
    assert callable(transport.abortConnection)


def test_a_frame_is_framed_once_and_written_straight_to_the_socket(connection):
    protocol, transport, client = connection
    socket_ = DaphneSocket.of(functools.partial(_Server().handle_reply, protocol))
    protocol.state = protocol.STATE_OPEN
    frame = OutgoingFrame("héllo")

    assert socket_ is not None
    assert (socket_.is_open, socket_.has_queued_frames, socket_.buffered_bytes()) == (True, False, 0)
    socket_.write(frame)
    socket_.write(frame)

    assert frame.wire == wire(frame) == b"\x81\x06" + "héllo".encode()
    assert client.recv(100) == frame.wire * 2
    assert socket_.buffered_bytes() == 0


def test_what_the_socket_cannot_take_now_waits_in_twisteds_buffer_and_is_counted(connection):
    protocol, transport, _client = connection
    socket_ = DaphneSocket.of(functools.partial(_Server().handle_reply, protocol))
    protocol.state = protocol.STATE_OPEN
    transport.write(b"x" * 10)  # something already buffered: the adapter must queue behind it

    socket_.write(OutgoingFrame("hi"))

    assert socket_.buffered_bytes() == 10 + 4


def test_policy_violation_sends_a_1008_close_frame_and_abort_drops_the_connection(connection):
    protocol, transport, _client = connection
    socket_ = DaphneSocket.of(functools.partial(_Server().handle_reply, protocol))
    protocol.state = protocol.STATE_OPEN

    socket_.close_policy_violation()

    assert CLOSE_POLICY_VIOLATION == 1008
    assert socket_.is_open is False
    assert socket_.buffered_bytes() == 4  # 0x88 0x02 + the code, queued by autobahn
    assert b"".join(transport._tempDataBuffer) == b"\x88\x02" + (1008).to_bytes(2, "big")
    socket_.abort()
    assert transport._aborting


def test_other_servers_are_not_mistaken_for_daphne():
    async def send(message):
        pass

    assert DaphneSocket.of(send) is None
    assert DaphneSocket.of(functools.partial(send)) is None
