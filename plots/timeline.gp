# timeline.gp - traffic, pods and error ratios per revision over a run, from timeline.csv.
# Usage (gnuplot 5):
#   gnuplot -e "datafile='out/timeline.csv'; outfile='out/timeline.png'; revisions=2" plots/timeline.gp
# Variables: datafile (required), outfile (.png or .svg; required), revisions (how many
# revisions the run created: the rev<N>_ column groups of the CSV; default 2), title.
if (!exists("datafile") || !exists("outfile")) {
    print "timeline.gp: set datafile and outfile with -e"
    exit status 2
}
if (!exists("revisions")) { revisions = 2 }
if (!exists("title")) { title = "rollsim run" }

if (outfile[strlen(outfile)-3:] eq ".svg") {
    set terminal svg size 1100,900 dynamic font "sans,11"
} else {
    set terminal pngcairo size 1100,900 font "sans,10"
}
set output outfile
set datafile separator ","
set datafile missing ""
set multiplot layout 3,1 title title
set xlabel "simulated time (minutes)"
set grid
set key outside right top
col(r, name) = column(sprintf("rev%d_%s", r, name))

set ylabel "share of requests (%)"
set yrange [0:105]
plot for [r=1:revisions] datafile using ($1/60000):(100*col(r, "requests")/($4 > 0 ? $4 : 1/0)) \
     with lines lw 2 title sprintf("revision %d", r)

set ylabel "serving pods"
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
plot for [r=1:revisions] datafile using ($1/60000):(col(r, "serving")) \
     with steps lw 2 title sprintf("revision %d", r)

set ylabel "error ratio (%)"
set yrange [0:*]
set offsets 0, 0, 0, 0
plot for [r=1:revisions] datafile using ($1/60000):(100*col(r, "error_ratio")) \
     with points pt 7 ps 0.3 title sprintf("revision %d (all failures)", r), \
     for [r=1:revisions] datafile using ($1/60000):(100*col(r, "fault_error_ratio")) \
     with points pt 6 ps 0.3 title sprintf("revision %d (fault-caused)", r)
unset multiplot
