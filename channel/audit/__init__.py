"""The audit log: who changed what and when, as an append-only hash chain that `legaltv audit verify` checks."""

from channel.audit.chain import CHAIN_VERSION, canonical_json, event_hash, hash_of
from channel.audit.trail import Actor, diff, record, record_by

__all__ = ["CHAIN_VERSION", "Actor", "canonical_json", "diff", "event_hash", "hash_of", "record", "record_by"]
