"""Batch correction: readers, output records and writers, executors, and the resumable job."""
