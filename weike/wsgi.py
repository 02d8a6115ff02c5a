import os

import jieba
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weike.settings.production")
application = get_wsgi_application()
# The word-segmentation dictionary, loaded here once: gunicorn imports this
# module in its master (preload_app), so every worker it forks shares it
# instead of loading it again on its first search (seconds on a busy host).
jieba.initialize()
