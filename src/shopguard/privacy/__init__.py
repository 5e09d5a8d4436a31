"""Privacy by design: per-camera privacy modes, the audit trail, data-subject requests,
retention outlook and the entrance signage text.

See ``docs/privacy.md`` for what is collected, where, for how long and who sees it.
"""
