"""``torch.utils.data.sampler``'s names (minidl/data/sampler.py)."""
from ...data.sampler import (  # noqa: F401
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)
