"""Series: the samples of nodes and installations read over a time window.

* ``epoch``: epoch seconds at the API boundary, ``timestamptz`` in the database;
* ``buckets``: bucket arithmetic (windows, UTC grids, local days), no database;
* ``downsampled`` + ``sql`` + ``extent``: the ``series`` read model over the stored
  rollups plus the fresh raw edges;
* ``aggregates``: refresh of the stored rollups (``samples_10m``, ``samples_1h``,
  ``samples_1d``, ``samples_1d_local``);
* ``timeseries`` + ``samples``: Managair's time-series resources and raw samples;
* ``plots``: the back office's 7-day plots.
"""
