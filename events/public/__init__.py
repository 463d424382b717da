"""The events app's public pages: server-rendered, the same for every visitor, readable without
JavaScript and by search engines (an event, its published agenda, its speakers), and the
attendee's own list of events. The shop is ticketing's (``ticketing/public``)."""
