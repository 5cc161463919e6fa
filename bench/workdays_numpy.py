#!/usr/bin/python3
"""numpy's busday_offset and busday_count on the pairs bench/workdays.c wrote.

Usage: workdays_numpy.py OUTDIR
Reads the raw int64 arrays (day numbers from 1970-01-01, which is numpy's datetime64[D]
epoch), runs numpy single-threaded with a Monday-Friday weekmask and the same holidays (a
prebuilt busdaycalendar, numpy's fastest form), checks every answer against the C results,
and prints numpy's rates and the ratio of the C rates to them.
"""
import os
import sys
import time

import numpy


def load(directory, name):
    return numpy.fromfile(os.path.join(directory, name + ".bin"), dtype=numpy.int64)


def best_of(runs, function):
    best = None
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    directory = sys.argv[1]
    days = load(directory, "days").view("datetime64[D]")
    offsets = load(directory, "offsets")
    count_to = load(directory, "count_to").view("datetime64[D]")
    expected_added = load(directory, "expected_added")
    expected_counted = load(directory, "expected_counted")
    holidays = load(directory, "holidays").view("datetime64[D]")
    calendar = numpy.busdaycalendar(weekmask="1111100", holidays=holidays)
    # workdays.c counts working days in (from, to]; numpy counts [begin, end).
    begin = days + numpy.timedelta64(1, "D")
    end = count_to + numpy.timedelta64(1, "D")
    count = len(days)

    # roll="backward" then +N is "the N-th working day strictly after the day" for N >= 1.
    add_seconds, added = best_of(3, lambda: numpy.busday_offset(
        days, offsets, roll="backward", busdaycal=calendar))
    count_seconds, counted = best_of(3, lambda: numpy.busday_count(
        begin, end, busdaycal=calendar))
    # For reference only: numpy without any holiday (the figure usually quoted for numpy).
    plain_seconds, _ = best_of(3, lambda: numpy.busday_offset(
        days, offsets, roll="backward", weekmask="1111100"))
    same_added = numpy.array_equal(added.view(numpy.int64), expected_added)
    same_counted = numpy.array_equal(counted.astype(numpy.int64), expected_counted)

    with open(os.path.join(directory, "c-rates.txt")) as rates:
        c_add, c_count = (float(value) for value in rates.read().split())
    numpy_add = count / add_seconds
    numpy_count = count / count_seconds
    print("numpy %s busday_offset: %d pairs in %.3f s = %.1f million/s (answers %s)"
          % (numpy.__version__, count, add_seconds, numpy_add / 1e6,
             "identical" if same_added else "DIFFER"))
    print("numpy %s busday_count:  %d pairs in %.3f s = %.1f million/s (answers %s)"
          % (numpy.__version__, count, count_seconds, numpy_count / 1e6,
             "identical" if same_counted else "DIFFER"))
    print("numpy %s busday_offset without holidays (reference only): %.1f million/s"
          % (numpy.__version__, count / plain_seconds / 1e6))
    print("ratio C / numpy: add %.1fx, count %.1fx (target: at least 2x)"
          % (c_add / numpy_add, c_count / numpy_count))
    return 0 if same_added and same_counted else 1


if __name__ == "__main__":
    sys.exit(main())
