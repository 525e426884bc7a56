# The local stand-in for python:3.11-slim-bookworm where no image registry is reachable: Debian
# bookworm's Python 3.11 on the base that scripts/test-containers makes with debootstrap
# (news-ingest-local/debian:bookworm). Build it with BuildKit, the machine's CA bundle as secret `ca`:
#   DOCKER_BUILDKIT=1 docker build --network host --secret id=ca,src=CA_BUNDLE \
#     -f deploy/local/python.Dockerfile -t news-ingest-local/python:3.11-bookworm deploy/local

ARG DEBIAN_IMAGE=news-ingest-local/debian:bookworm

FROM ${DEBIAN_IMAGE}
# As in python:3.11-slim: UTF-8, `python` on PATH, the public CA certificates (for Kafka over TLS).
ENV LANG=C.UTF-8
# The secret is mounted for this step only and never stored in a layer.
# hadolint ignore=DL3008
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then echo 'Acquire::https::CAInfo "/run/secrets/ca";' > /etc/apt/apt.conf.d/99build-ca; fi \
    && apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* /etc/apt/apt.conf.d/99build-ca \
    && python --version
CMD ["python3"]
