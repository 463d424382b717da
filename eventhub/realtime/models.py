from django.db import models


class StreamHead(models.Model):
    """The last ``seq`` handed out on a stream. Its row lock, held until the appending
    transaction ends, is what makes ``seq`` gap-free and commit order equal to seq order.
    Never deleted, so a stream's seq never restarts after retention purges its entries."""

    stream = models.CharField(max_length=120, primary_key=True)
    seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.stream}@{self.seq}"


class StreamEntry(models.Model):
    """One change on a stream (the transactional outbox). Readers are authorized per stream by
    ``eventhub.realtime.streams``, so this table carries no tenant scope of its own."""

    stream = models.CharField(max_length=120)
    seq = models.BigIntegerField()
    type = models.CharField(max_length=80)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="stream_entry_seq_unique")]
        ordering = ["stream", "seq"]
        verbose_name_plural = "stream entries"

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.type}"
