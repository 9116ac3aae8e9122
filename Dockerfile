# dockbot in a container. It talks to the host's engine through the mounted socket (see compose.yaml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY commands ./commands
RUN pip install --no-cache-dir . && useradd --system --no-create-home dockbot \
    && mkdir /data && chown dockbot /data
COPY presets.example.yml ./
# The socket's group decides access: run with --group-add <gid of /var/run/docker.sock> (compose.yaml does).
USER dockbot
EXPOSE 3000
ENTRYPOINT ["python", "-m", "bot"]
CMD ["serve"]
