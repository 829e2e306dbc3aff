"""fbhub: set up and diagnose a CloudCX platform's Facebook Messenger integration."""

__version__ = "0.1.0"
