"""Test helpers and data of the votes domain's ballot-log tests."""
