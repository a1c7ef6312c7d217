# compare.gp - strategies side by side: the faulty revision's share of traffic and the
# fault-caused error ratio of all requests over time, one line per strategy, from the timeline
# CSVs `rollsim compare --out DIR` writes as DIR/<name>/timeline.csv.
# Usage (gnuplot 5):
#   gnuplot -e "dir='out'; names='canary bluegreen guarded'; outfile='out/compare.png'" plots/compare.gp
# Variables: dir (required), names (required: the Rollouts' metadata.name, space-separated),
# outfile (.png or .svg; required), faulty (the faulty release's revision: the rev<N>_ columns of
# the CSV; default 2, the first setImage), title.
if (!exists("dir") || !exists("names") || !exists("outfile")) {
    print "compare.gp: set dir, names and outfile with -e"
    exit status 2
}
if (!exists("faulty")) { faulty = 2 }
if (!exists("title")) { title = "rollsim compare" }

if (outfile[strlen(outfile)-3:] eq ".svg") {
    set terminal svg size 1100,700 dynamic font "sans,11"
} else {
    set terminal pngcairo size 1100,700 font "sans,10"
}
set output outfile
set datafile separator ","
set datafile missing ""
set multiplot layout 2,1 title title
set xlabel "simulated time (minutes)"
set grid
set key outside right top
file(i) = sprintf("%s/%s/timeline.csv", dir, word(names, i))
share(r) = column(sprintf("rev%d_requests", r)) / (column("requests") > 0 ? column("requests") : 1/0)

set ylabel "faulty revision's share (%)"
set yrange [0:105]
plot for [i=1:words(names)] file(i) using ($1/60000):(100*share(faulty)) \
     with lines lw 2 title word(names, i)

set ylabel "fault-caused error ratio (%)"
set yrange [0:*]
plot for [i=1:words(names)] file(i) \
     using ($1/60000):(100*column("fault_failures")/(column("requests") > 0 ? column("requests") : 1/0)) \
     with lines lw 2 title word(names, i)
unset multiplot
