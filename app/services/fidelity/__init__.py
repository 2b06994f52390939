"""Fidelity: whether nodes are alive, judged by their newest sample.

* ``liveness``: the set-based check (run by the jobs process) and the member-scoped
  reads behind the API;
* ``overview``: what operators see (counts per verdict, the dead nodes).
"""
