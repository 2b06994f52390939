"""``DASHBOARD_DIR``: a single-page app's build served at ``/dashboard/``.

``policy`` decides what a file is (content-hashed or not, its content type)
and the page's Content-Security-Policy; ``serve`` answers the requests.
"""
