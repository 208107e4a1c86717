"""WSGI entry point for gunicorn (`vertebra serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vertebra.settings")
application = get_wsgi_application()
