# gongzhi on Node 20. Build: docker build -t gongzhi .
# Run:  docker run -p 8787:8787 -e GONGZHI_CONFIG=/etc/gongzhi/config.yaml -e DATABASE_URL=postgres://… -e GONGZHI_SESSION_SECRET=… \
#         -v /etc/gongzhi:/etc/gongzhi:ro gongzhi
# Without DATABASE_URL the embedded PGlite keeps its data in /app/data (mount a volume there).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=8787 HOST=0.0.0.0 DATA_DIR=/app/data
# Chinese text on the QR posters (PNG) needs a CJK font.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Runtime dependencies only: tsx runs the TypeScript sources directly, as `npm start` does everywhere.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY src ./src
COPY adapters ./adapters
COPY migrations ./migrations
COPY config ./config
RUN mkdir -p /app/data && chown node:node /app/data
# The embedded database (when DATABASE_URL is unset): keep it on a named volume, e.g. -v gongzhi-data:/app/data.
VOLUME /app/data
USER node
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node itself is PID 1 (not npm, which does not pass SIGTERM on): `docker stop` then shuts down gracefully.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/node/main.ts"]
