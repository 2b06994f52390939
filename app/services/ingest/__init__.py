"""Ingest: validation, credentials and storage shared by every way samples arrive.

* ``validation``: the one definition of an acceptable sample (limits from
  ``app.models.samples``);
* ``credentials``: the ingest-token check (``INGEST_AUTH``);
* ``single``: Managair's one-sample ``POST /ingest/v1/ingest/`` semantics;
* ``batch`` + ``store`` + ``classify``: streamed batches staged with ``COPY``,
  stored with one ``INSERT``, and what was left out classified;
* ``webhooks``: The Things Stack and ChirpStack uplinks, decoded by
  ``app.services.decoders`` and stored through the batch path;
* ``driver``: the psycopg connection under the session, for the hot statements.

Request bodies (the JSON:API sample, batch bodies, webhook bodies) are read in
``app.blueprints.ingest``; the services take what they hold.

Every path queues stored public samples in the publisher outbox within the same
transaction when publishers are enabled.
"""
