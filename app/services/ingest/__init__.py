"""Ingest: validation, credentials and storage shared by every way samples arrive.

* ``validation``: the one definition of an acceptable sample (limits from
  ``app.models.samples``);
* ``credentials``: the ingest-token check (``INGEST_AUTH``);
* ``single``: Managair's one-sample ``POST /ingest/v1/ingest/`` semantics;
* ``readers`` + ``batch`` + ``store`` + ``classify``: streamed batches (JSON array,
  NDJSON, CSV, gzip) staged with ``COPY``, stored with one ``INSERT``, and what was
  left out classified;
* ``uplinks`` + ``webhooks``: The Things Stack and ChirpStack uplinks, decoded by
  ``app.services.ingest.decoders`` and stored through the batch path;
* ``driver``: the psycopg connection under the session, for the hot statements;
* ``decoders``: the LoRaWAN payload decoders, by protocol;
* ``token_admin``: ingest tokens as operators manage them (``token_throttle``
  limits each token's rate).

Every path queues stored public samples in the publisher outbox within the same
transaction when publishers are enabled.
"""
