# SPDX-License-Identifier: GPL-2.0-or-later
# requests/s and p99 latency against concurrency, one line per candidate;
# run by bench/plot with -e "dir='...'; nblocks=N"; data: plot-concurrency.dat
# (blocks per candidate: conc rps p99_ms p999_ms pss_kb)
if (!exists("dir")) dir = "."
data = dir."/plot-concurrency.dat"
if (!exists("nblocks")) nblocks = 1
set terminal pngcairo size 900,560 noenhanced font ",11"
set key outside right top
set grid
set logscale x 2
set xlabel "concurrent keep-alive connections (100-byte responses)"
set xtics (16, 64, 256, 1024)

set output dir."/rps-concurrency.png"
set title "requests per second (median of rounds)"
set ylabel "requests/s"
set yrange [0:*]
plot for [i=0:nblocks-1] data index i using 1:2 with linespoints lw 2 pt 7 title columnheader(1)

set output dir."/p99-concurrency.png"
set title "p99 latency (median of rounds)"
set ylabel "ms"
set logscale y
set yrange [*:*]
plot for [i=0:nblocks-1] data index i using 1:3 with linespoints lw 2 pt 7 title columnheader(1)
