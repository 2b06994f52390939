"""Ingest: validation, credentials and storage shared by every way samples arrive.

* ``validation``: the one definition of an acceptable sample (limits from
  ``app.models.samples``);
* ``credentials``: the ingest-token check (``INGEST_AUTH``);
* ``single``: Managair's one-sample ``POST /ingest/v1/ingest/`` semantics;
* ``readers`` + ``batch`` + ``store``: streamed batches (JSON array, NDJSON, CSV,
  gzip) staged with ``COPY`` and stored with one ``INSERT``;
* ``webhooks``: The Things Stack and ChirpStack uplinks, decoded by
  ``app.services.decoders`` and stored through the batch path.

Every path queues stored public samples in the publisher outbox within the same
transaction when publishers are enabled.
"""
