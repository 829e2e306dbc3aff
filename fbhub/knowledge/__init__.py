"""What fbhub knows to explain: what a warning or error means, how to confirm the cause, and how to fix it.

- ``topics``: the Markdown pages in ``fbhub/knowledge/topics/<name>.md`` (package data), each ``# Title`` then a
  one-line summary; other words people type for a topic are on the topic file's ``<!-- other names: … -->`` line.
  Doctor checks (``CheckSpec.topic``) and error-catalogue entries (``ErrorInfo.explain``) name them, so the
  names are stable.
- ``codes``: pages for Graph error codes and catalogue names, built from ``fbhub.meta.error_codes``.
- ``resolve``: what the user typed → a topic.
"""

from __future__ import annotations

from fbhub.knowledge.codes import explain_code
from fbhub.knowledge.resolve import check_topic, resolve
from fbhub.knowledge.topics import Topic, get_topic, list_topics, topic_names

__all__ = ["Topic", "check_topic", "explain_code", "get_topic", "list_topics", "resolve", "topic_names"]
