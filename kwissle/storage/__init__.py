"""Storage: one async interface (`port.Store`) and its adapters.

Importing this package pulls in no database driver: adapters are loaded by
`kwissle.storage.open.open_store(url)` when a URL names them.
"""
