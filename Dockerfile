# syntax=docker/dockerfile:1
# Stage 1 builds the wheel (and wheels of its dependencies); stage 2 installs them into a
# slim image that holds no source tree, no build tools and no secrets. Settings come from
# the environment at run time; see docs/deploy.md.
ARG PYTHON=3.11

FROM python:${PYTHON}-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:${PYTHON}-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/iop.db \
    HEALTH_PORT=8080 \
    HEALTH_LISTEN=127.0.0.1 \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443 \
    LOG_FORMAT=json
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin iop \
    && install --directory --owner iop --group iop --mode 0700 /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels iop-companion \
    && rm -rf /wheels
USER iop
WORKDIR /data
VOLUME /data
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["iop-bot"]
CMD ["run"]
