"""HTTP routes: JSON API (``api_*``) and HTML pages (``pages_*``)."""
