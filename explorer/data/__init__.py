"""Built-in datasets and loaders, with no Qt: ``load_dataset(name, options, seed=...)`` returns a
:class:`Dataset` split into training and validation arrays; ``DATASETS`` lists what there is."""

from .cache import DatasetCache
from .dataset import Dataset, DatasetError, DatasetSpec, FolderOption, check_sample_shape
from .registry import DATASETS, load_dataset

__all__ = ["DATASETS", "Dataset", "DatasetCache", "DatasetError", "DatasetSpec", "FolderOption", "check_sample_shape",
           "load_dataset"]
