FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files into the image (whitenoise serves them; the manifest storage needs them at
# startup). The keys exist only for this command: the settings refuse to load without them.
RUN SECRET_KEY=collectstatic-at-build-only PERSONAL_DATA_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput --verbosity 0
RUN useradd --system --home /app grid && mkdir -p /app/var && chown -R grid /app/var
USER grid
EXPOSE 8000
