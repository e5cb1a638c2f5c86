# One image for the pipeline's one-shot jobs: the loader (`npm run load`) and dbt (`npm run
# transform`), both configured through the environment exactly as on a laptop (see
# docker-compose.yml). Not built on the development machines, which have no Docker engine.
FROM node:20-bookworm-slim

# dbt is a Python program; it lives in its own virtualenv where `npm run transform` looks for it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a change to the sources does not reinstall them. No install scripts here:
# `prepare` compiles src/, which is copied below (then built), and the image uses the compose
# PostgreSQL, not the embedded one.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts && npm cache clean --force

COPY dbt/requirements.txt dbt/requirements.txt
# The stamp is what src/transform/venv.ts writes after an install of these exact requirements:
# with it, `npm run transform` finds dbt ready instead of installing it again in each container.
RUN python3 -m venv .venv-dbt \
 && .venv-dbt/bin/pip install --no-cache-dir -r dbt/requirements.txt \
 && sha256sum dbt/requirements.txt | cut -d' ' -f1 > .venv-dbt/.hybridbank-requirements.sha256

COPY . .
RUN npm run build
# dbt writes target/ and logs/ beside its project; nothing else needs to be writable.
RUN chown -R node:node dbt
USER node

CMD ["npm", "run", "load"]
