# Production image: the web process by default; the jobs process with
# `command: flask jobs run`. Non-root, slim, translations compiled and the API
# docs' Swagger UI / ReDoc assets vendored at build time (no CDN at run time).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
    && mkdir -p vendor/uplot \
    && cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css vendor/uplot/

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
RUN python -m venv /venv && /venv/bin/pip install -r requirements.lock
COPY app ./app
COPY --from=assets /src/vendor ./app/static/vendor
COPY scripts/vendor_api_docs.py ./scripts/
RUN /venv/bin/python scripts/vendor_api_docs.py \
    && /venv/bin/pip install --no-deps . \
    && if ls app/translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
         /venv/bin/pybabel compile -d app/translations; fi

FROM python:3.11-slim-bookworm
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 FLASK_APP=wsgi:app \
    BIND=0.0.0.0:8000 LOG_FORMAT=json PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    MEDIA_ROOT=/srv/airq/media
RUN useradd --system --uid 10001 --home /srv/airq airq \
    && mkdir -p /srv/airq/media && chown airq /srv/airq/media
WORKDIR /srv/airq
COPY --from=build /venv /venv
COPY --from=build /src/app ./app
COPY wsgi.py config.py gunicorn.conf.py babel.cfg ./
COPY migrations ./migrations
COPY sql ./sql
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER airq
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
