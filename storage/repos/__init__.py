"""Repositories: small query objects over one session, one per aggregate."""
