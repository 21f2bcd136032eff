# SPDX-License-Identifier: GPL-2.0-or-later
# memory (PSS of the whole process tree) against idle connections held,
# one line per candidate; run by bench/plot with -e "dir='...'; nblocks=N"; data:
# plot-idle.dat (blocks per candidate: idle pss_kb rps p99_ms procs)
if (!exists("dir")) dir = "."
data = dir."/plot-idle.dat"
if (!exists("nblocks")) nblocks = 1
set terminal pngcairo size 900,560 noenhanced font ",11"
set key outside right top
set grid
set xlabel "idle client connections held (plus 16 loaded)"
set output dir."/mem-idle.png"
set title "memory: PSS of the candidate's process tree"
set ylabel "MiB (log scale)"
set logscale y
plot for [i=0:nblocks-1] data index i using 1:($2/1024) with linespoints lw 2 pt 7 title columnheader(1)
