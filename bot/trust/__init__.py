"""Trust (issue 7): erasure, retention, key rotation and the provision log."""
