# cryptodt for a Hugging Face Docker Space (or any container host): one container runs
# the web server (HTTP + WebSockets on port 7860) and the django-q2 cluster, started by
# bin/serve.py — the same script as `make run`. See README.md, "Deploying".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Hugging Face runs Spaces as uid 1000; so does this image everywhere else. /data is where
# a Space's persistent storage is mounted; without it, the directory lives as long as the
# container does.
RUN useradd --create-home --uid 1000 user \
 && mkdir -p /data && chown 1000:1000 /data
USER 1000
ENV HOME=/home/user \
    PATH=/home/user/.local/bin:$PATH
WORKDIR /home/user/app

# torch comes from PyTorch's CPU-only index (the default wheel drags in ~3 GB of CUDA);
# everything else, torch's own dependencies included, from requirements/base.txt's pins.
# Runtime dependencies only: the test and tooling pins (requirements/dev.txt) stay out.
COPY --chown=1000:1000 requirements/base.txt requirements/base.txt
RUN pip install --user --no-deps --index-url https://download.pytorch.org/whl/cpu "$(grep '^torch==' requirements/base.txt)" \
 && pip install --user -r requirements/base.txt

COPY --chown=1000:1000 . .

ENV DEBUG=0 \
    LOG_FORMAT=json \
    HOST=0.0.0.0 \
    PORT=7860 \
    DATA_DIR=/data \
    SENTIMENT_MODEL_DIR=/home/user/models \
    SECURE_PROXY_SSL_HEADER=1 \
    TRUSTED_PROXY_HOPS=1 \
    ALLOWED_HOSTS=.hf.space,localhost,127.0.0.1

# Static files are collected into the image once, here (bin/serve.py collects only when
# no manifest exists), and served by WhiteNoise. SENTIMENT_MODEL is downloaded into the image
# (SENTIMENT_MODEL_DIR, outside the /data mount) so a Space starts with the model; when the
# build has no internet the first start downloads it in the background instead. The key and
# data directory below only let the settings load for these build steps.
RUN export SECRET_KEY=build-step-only DATA_DIR=/tmp/build-data \
 && python manage.py collectstatic --noinput --verbosity 0 \
 && (python manage.py fetch_model || echo "fetch_model failed at build; the first start downloads the model") \
 && rm -rf /tmp/build-data

EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7860/api/health', timeout=4)"
CMD ["python", "bin/serve.py"]
