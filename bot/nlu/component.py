"""How our NLU components are created and loaded by Rasa's graph: written once, mixed in.

* :class:`ConfigComponent`: built from its config alone; nothing is trained or stored
  (tokenizer, entity extractor, intent ranker). Rasa loads it by creating it again.
* :class:`StoredComponent`: trains and keeps its state as files in its model-storage resource
  (featurizer vocabulary, linear intent model). Loading reads them back with
  :meth:`~StoredComponent.read_trained`; a resource with nothing stored gives an untrained component,
  which passes messages through.

Put the mixin first among the bases, so its ``create``/``load`` replace ``GraphComponent``'s.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

logger = logging.getLogger(__name__)


class ConfigComponent:
    """A component whose constructor takes its config only."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        """Creates a new component (see ``GraphComponent.create``)."""
        return cls(config)


class StoredComponent:
    """A trainable component: ``cls(config, model_storage, resource, execution_context, **trained)``."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        """Creates a new untrained component (see ``GraphComponent.create``)."""
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        """The trained component; an untrained one when its resource holds nothing readable."""
        try:
            with model_storage.read_from(resource) as directory:
                trained = cls.read_trained(directory)
        except (ValueError, FileNotFoundError):
            logger.debug("Nothing stored for %s; loading it untrained.", cls.__name__)
            trained = {}
        return cls(config, model_storage, resource, execution_context, **trained)

    @classmethod
    def read_trained(cls, directory: Path) -> dict[str, Any]:
        """The constructor's keyword arguments for the trained state ``train`` wrote to ``directory``."""
        raise NotImplementedError
