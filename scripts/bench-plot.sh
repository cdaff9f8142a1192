#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-plot.sh DIR: PNG plots of DIR/results.csv (kipc-bench --csv) with
# gnuplot: latency.png (round-trip median against size), throughput.png
# (streaming MB/s against size), scale.png (calls/s against threads).  One
# line per mechanism; skipped and failed figures are left out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$1
csv="$dir/results.csv"
data="$dir/plot-data"
command -v gnuplot >/dev/null || die "gnuplot is missing (scripts/deps.sh installs gnuplot-nox)"
rm -rf "$data" && mkdir -p "$data"

# data/BENCH-IMPL.dat: "x y" per measured figure.  A null call (size 0)
# is drawn at x = 8, labelled "null", so that the axis can be logarithmic.
awk -F, -v d="$data" 'NR > 1 && $5 == "ok" {
	if ($1 == "rtt") { x = $3 == 0 ? 8 : $3; y = $7 / 1000 }
	else if ($1 == "stream") { x = $3; y = $11 / 1e6 }
	else if ($1 == "scale") { x = $4; y = $10 }
	else next
	print x, y >> (d "/" $1 "-" $2 ".dat")
}' "$csv"

# plot OUT TITLE XLABEL YLABEL XTICS BENCH [LOGX]
plot() {
	local out=$1 title=$2 xl=$3 yl=$4 xtics=$5 b=$6 logx=${7:-1}
	local f cmd="" sep=""
	for f in "$data/$b"-*.dat; do
		[ -e "$f" ] || continue
		local impl=${f##*/$b-}
		impl=${impl%.dat}
		# kipc's own lines stand out
		local style="linespoints"
		case "$impl" in kipc-*) style="linespoints lw 3 pt 7 ps 1.2" ;; esac
		cmd+="$sep'$f' using 1:2 with $style title '$impl'"
		sep=", "
	done
	[ -n "$cmd" ] || { say "no measured $b figures to plot"; return 0; }
	gnuplot <<GP
set terminal pngcairo size 1000,650 noenhanced
set output '$out'
set title '$title'
set xlabel '$xl'
set ylabel '$yl'
$([ "$logx" = 1 ] && echo 'set logscale x 2')
set logscale y 10
set grid
set offsets graph 0.03, graph 0.03, 0, 0
set key outside right
set xtics ($xtics)
plot $cmd
GP
}

kernel=$(sed -n 's/.*"bench":"meta".*"kernel":"\([^"]*\)".*/\1/p' "$dir/results.json" | head -n 1)
plot "$dir/latency.png" "round-trip latency between two processes (median; kernel $kernel)" \
	"argument and result size" "microseconds" \
	'"null" 8, "64 B" 64, "4 KiB" 4096, "64 KiB" 65536, "1 MiB" 1048576' rtt
plot "$dir/throughput.png" "one-way streaming, every byte written and read (kernel $kernel)" \
	"message size" "MB/s" '"64 B" 64, "4 KiB" 4096, "1 MiB" 1048576' stream
plot "$dir/scale.png" "null calls per second, N clients against N server threads (kernel $kernel)" \
	"client threads" "calls per second" '"1" 1, "2" 2, "4" 4, "8" 8' scale
