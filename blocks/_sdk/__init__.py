"""The block SDK every block imports: the AutoGPT platform's own classes when they are importable,
else the bundled stand-in with the same contract. Import from here, never from either side directly.
"""

from __future__ import annotations

try:  # inside the AutoGPT platform
    from backend.data.block import (
        Block,
        BlockCategory,
        BlockCost,
        BlockCostType,
        BlockOutput,
        BlockSchemaInput,
        BlockSchemaOutput,
        BlockType,
    )
    from backend.data.model import (
        APIKeyCredentials,
        CredentialsField,
        CredentialsMetaInput,
        NodeExecutionStats,
        SchemaField,
    )
    from backend.util.exceptions import (
        BlockError,
        BlockExecutionError,
        BlockInputError,
        BlockOutputError,
        BlockUnknownError,
    )
    from backend.util.file import store_media_file
    from backend.util.type import MediaFileType

    ON_PLATFORM = True
except ImportError:  # standalone
    from ._standin.block import (
        Block,
        BlockCategory,
        BlockCost,
        BlockCostType,
        BlockError,
        BlockExecutionError,
        BlockInputError,
        BlockOutput,
        BlockOutputError,
        BlockType,
        BlockUnknownError,
        NodeExecutionStats,
    )
    from ._standin.credentials import APIKeyCredentials, CredentialsField, CredentialsMetaInput
    from ._standin.schema import BlockSchemaInput, BlockSchemaOutput, MediaFileType, SchemaField

    store_media_file = None  # the platform's workspace files exist only inside the platform
    ON_PLATFORM = False

__all__ = [
    "ON_PLATFORM",
    "APIKeyCredentials",
    "Block",
    "BlockCategory",
    "BlockCost",
    "BlockCostType",
    "BlockError",
    "BlockExecutionError",
    "BlockInputError",
    "BlockOutput",
    "BlockOutputError",
    "BlockSchemaInput",
    "BlockSchemaOutput",
    "BlockType",
    "BlockUnknownError",
    "CredentialsField",
    "CredentialsMetaInput",
    "MediaFileType",
    "NodeExecutionStats",
    "SchemaField",
    "store_media_file",
]
