"""Behaviour suite: experiments that check claims about Go environment variables against real toolchains."""
