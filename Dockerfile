# syntax=docker/dockerfile:1
# Production image: gunicorn serving Django, whitenoise serving the hashed, pre-compressed
# static files collected at build time. Runs as a non-root user. See README "Produksi
# (Docker)" and docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=0

WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

# Dependencies first, so that code changes do not reinstall them: exactly the versions
# of requirements.lock (`make lock`), each checked against its hash. The project itself
# installs no package ([tool.setuptools] packages = []): the code runs from /app.
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --require-hashes -r requirements.lock \
    && pip install --no-deps .

# Code stays owned by root: the app user can read it, not change it.
COPY . .

# Hashed, compressed static files (gzip + brotli) baked into the image. The secret key
# and host exist only for this command: settings refuse to load without them when DEBUG
# is off.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown app:app /app/media

USER app

EXPOSE 8000

# /healthz checks the database too. Host must be one of DJANGO_ALLOWED_HOSTS (the first).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; host = os.environ.get('DJANGO_ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"]

CMD ["gunicorn", "--config", "gunicorn.conf.py", "sumsel_gerakan.wsgi:application"]
