# rollout.gp - the main figure of a run: traffic and pods per revision, the true error ratio
# of the new revision against the values the analysis saw, the measurements with their
# verdicts, the operator's and controller's changes as lines, and the blast radius as a band.
# `rollsim run --out DIR` fills the variables and writes DIR/rollout.png and DIR/rollout.svg;
# by hand (gnuplot 5.4):
#   gnuplot -e "dir='out'; outfile='out/rollout.png'; revs='1 2'; newrev=2; acols='33'" \
#           plots/rollout.gp
# Variables:
#   dir        the --out directory: timeline.csv, measurements.csv, events.csv (required)
#   outfile    the image to write; term 'png' or 'svg' (default: from outfile's extension)
#   revs       the revisions of the rev<N>_ column groups, e.g. '1 2' (required)
#   newrev     the revision of the release, whose error ratio is drawn (default: the last)
#   acols      column numbers of timeline.csv's analysis_<run>_<metric> columns ('' for none)
#   xmin_ms, xmax_ms     the time range drawn (default: the whole run)
#   band_from_ms, band_to_ms  the blast-radius band: exposure to traffic restored (-1: none)
#   n_events, n_measurements  rows of events.csv and measurements.csv (0: skip reading them)
#   verdicts   the measurement phases present, e.g. 'Successful Failed' (default: all four)
#   title
if (!exists("dir") || !exists("outfile") || !exists("revs")) {
    print "rollout.gp: set dir, outfile and revs with -e"
    exit status 2
}
datafile = dir."/timeline.csv"
measfile = dir."/measurements.csv"
eventsfile = dir."/events.csv"
if (!exists("term")) { term = (outfile[strlen(outfile)-3:] eq ".svg") ? "svg" : "png" }
if (!exists("newrev")) { newrev = int(word(revs, words(revs))) }
if (!exists("acols")) { acols = "" }
if (!exists("band_from_ms")) { band_from_ms = -1 }
if (!exists("band_to_ms")) { band_to_ms = -1 }
if (!exists("title")) { title = "rollsim run" }

if (term eq "svg") {
    set terminal svg size 1300,1000 dynamic noenhanced font "sans,11" background rgb "white"
} else {
    set terminal pngcairo size 1300,1000 noenhanced font "sans,10" background rgb "white"
}
set output outfile
set datafile separator ","
set datafile missing ""
min(t) = t / 60000.0
col(r, name) = column(sprintf("rev%d_%s", r, name))

# The labelled changes (events.csv: t_ms,label), read into arrays for the lines and labels.
array ev_t[200]
array ev_l[200]
n_ev = 0
if (!exists("n_events")) { n_events = 1 }
if (!exists("n_measurements")) { n_measurements = 1 }
if (n_events > 0) stats eventsfile skip 1 using (n_ev < 200 ? (n_ev = n_ev + 1, ev_t[n_ev] = $1, ev_l[n_ev] = strcol(2)) : 0, $1) nooutput

if (exists("xmin_ms") && exists("xmax_ms")) { set xrange [min(xmin_ms):min(xmax_ms)] }
set xlabel "simulated time (minutes)"
set grid
set key outside right top width -4 noenhanced
set lmargin 10
set rmargin 34
if (band_from_ms >= 0 && band_to_ms > band_from_ms) {
    set object 1 rect from min(band_from_ms), graph 0 to min(band_to_ms), graph 1 \
        fillcolor rgb "#f4c7c3" fillstyle solid 0.45 noborder behind
}
do for [i = 1:n_ev] {
    set arrow i from min(ev_t[i]), graph 0 to min(ev_t[i]), graph 1 nohead \
        linecolor rgb "#555555" dashtype 2 linewidth 1 front
}
# Blank keys for the band and the lines, drawn as a legend entry by a plot of nothing.
band_key = (band_from_ms >= 0 && band_to_ms > band_from_ms) ? \
    "blast radius: exposure to traffic restored" : ""

set multiplot layout 3,1 title title font ",13" margins 0.07, 0.66, 0.07, 0.92 spacing 0, 0.07

# 1. traffic: the share of requests the router sends to each revision, and the labels.
set ylabel "share of requests (%)"
set yrange [0:119]
set ytics 0, 20, 100
do for [i = 1:n_ev] {
    set label i ev_l[i] at min(ev_t[i]), graph 0.97 rotate by 90 right offset -0.3, 0 \
        font ",9" textcolor rgb "#333333" front
}
plot for [k = 1:words(revs)] datafile using (min($1)):(100 * col(int(word(revs, k)), "share")) \
         with lines linewidth 2 linecolor k title sprintf("revision %s", word(revs, k)), \
     NaN with boxes fillstyle solid 0.45 noborder linecolor rgb "#f4c7c3" \
         title band_key, \
     NaN with lines dashtype 2 linecolor rgb "#555555" title "changes (events.csv)"
unset label

# 2. pods: serving pods (receiving requests) and ready pods per revision.
set ylabel "pods"
set yrange [0:*]
set ytics autofreq
set offsets 0, 0, graph 0.1, 0
plot for [k = 1:words(revs)] datafile using (min($1)):(col(int(word(revs, k)), "serving")) \
         with steps linewidth 2 linecolor k title sprintf("revision %s serving", word(revs, k)), \
     for [k = 1:words(revs)] datafile using (min($1)):(col(int(word(revs, k)), "ready")) \
         with steps linewidth 1 dashtype 3 linecolor k title sprintf("revision %s ready", word(revs, k))
set offsets 0, 0, 0, 0

# 3. the true error ratio of the release (left axis) against what the analysis saw (right axis):
# each analysis column holds the latest measurement's value until the next, so the lag between
# the true ratio and the measured one reads across. Marks: the measurements, by verdict.
set ylabel sprintf("revision %d error ratio (%%)", newrev)
set yrange [0:*]
set y2label "analysis value"
if (words(acols) == 0 && n_measurements == 0) { set y2range [0:1] } else { set y2range [*:*] }
set y2tics
set ytics nomirror
# The analysis columns: what each metric's latest measurement returned, held until the next.
aplot = ""
do for [k = 1:words(acols)] {
    aplot = aplot . sprintf(", datafile using (min($1)):%s axes x1y2 with steps linewidth 1.5 linecolor %d title columnhead(%s)", \
        word(acols, k), k + 2, word(acols, k))
}
# The measurement marks: one plot element per verdict, left out when there is none (gnuplot
# stops on a data file without rows).
measplot = ""
if (!exists("verdicts")) { verdicts = "Successful Failed Inconclusive Error" }
if (n_measurements > 0) {
    do for [v in verdicts] {
        measplot = measplot . sprintf(", measfile skip 1 using (min($1)):(verdict(\"%s\")) axes x1y2 with points pointtype %d pointsize 1.6 linecolor rgb \"%s\" title \"measurement: %s\"", \
            v, (v eq "Error" ? 5 : 7), \
            (v eq "Successful" ? "#2ca02c" : v eq "Failed" ? "#d62728" : v eq "Inconclusive" ? "#ff7f0e" : "black"), v)
    }
}
verdict(p) = strcol(3) eq p ? $2 : NaN
# (The first, invisible element, at 1 %, keeps the left axis defined when the release never
# served.)
plot datafile using (min($1)):(1) with lines linecolor rgb "#FF000000" notitle, \
     datafile using (min($1)):(100 * col(newrev, "error_ratio")) \
         with points pointtype 7 pointsize 0.25 linecolor rgb "#d62728" title "true (all failures, per tick)" \
     @aplot @measplot
unset multiplot
