"""Staff and trainer console: accounts, FAQ curation and the internal API the assistant calls.

Layout follows the FastAPI full-stack template: ``settings``, ``db``, ``models``, ``services``
(business rules, no HTTP), ``routes`` (thin HTTP handlers), ``templates`` (Jinja2, Vietnamese).
"""
