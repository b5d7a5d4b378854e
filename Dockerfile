# Transfer Matrix Explorer: gunicorn serving app:server, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY app.py gunicorn.conf.py ./
COPY web ./web
COPY transfer ./transfer
COPY components ./components
COPY assets ./assets
COPY data ./data

RUN useradd --system --uid 10001 --home-dir /app tmx && mkdir -p /app/instance && chown tmx /app/instance
USER tmx

# SQLite in a volume by default; set DATABASE_URL=postgresql+psycopg://... for PostgreSQL.
VOLUME ["/app/instance"]
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8050/healthz', timeout=4).status == 200 else 1)"

CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:server"]
