"""Helpers shared by the Python interop peers (py_client.py and the
TestService peers test_service_server.py, test_service_client.py)."""
import argparse
import queue


def boolean(text):
    """An argparse type for the interop flags' true/false values."""
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise argparse.ArgumentTypeError("expected true or false")


class Outbox:
    """A request iterator fed one message at a time; close() half-closes.
    A read waits at most `timeout` seconds for the next message."""

    def __init__(self, timeout):
        self._queue = queue.Queue()
        self._timeout = timeout

    def put(self, message):
        self._queue.put(message)

    def close(self):
        self._queue.put(None)

    def __iter__(self):
        return self

    def __next__(self):
        message = self._queue.get(timeout=self._timeout)
        if message is None:
            raise StopIteration
        return message
