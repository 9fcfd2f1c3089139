# Reference values for cityres.econometrics.did.psm (PSM-DID) made with R MatchIt.
#
# Run by hand from this directory (never in CI):
#     Rscript make_matchit.R
# Inputs: MatchIt's bundled `lalonde` data (written to lalonde.csv with dummies for race)
# and psm_yrd_units.csv (city-level means of five controls over 2011-2013 in cityres's
# SIMULATED yrd_sim panel, treat = ever in Broadband China; written by the README's
# Python one-liner). Outputs (all CSV, 17 significant digits):
#     lalonde.csv           the input data as used (id, treat, covariates)
#     matchit_pscore.csv    dataset, id, pscore       (glm logit, converged to 1e-14)
#     matchit_pairs.csv     spec, treated, rank, control   (the match.matrix, long)
#     matchit_weights.csv   spec, id, weight          (MatchIt's matching weights)
#     matchit_balance.csv   spec, sample (all / matched), covariate, mean_treated,
#                           mean_control, std_mean_diff, var_ratio  (summary.matchit)
suppressPackageStartupMessages(library(MatchIt))

digits <- function(df) {
  for (n in names(df)) if (is.double(df[[n]])) df[[n]] <- sprintf("%.17g", df[[n]])
  df
}

data("lalonde", package = "MatchIt")
lal <- data.frame(id = rownames(lalonde), treat = lalonde$treat, age = lalonde$age,
                  educ = lalonde$educ, black = as.integer(lalonde$race == "black"),
                  hispan = as.integer(lalonde$race == "hispan"),
                  married = lalonde$married, nodegree = lalonde$nodegree,
                  re74 = lalonde$re74, re75 = lalonde$re75)
rownames(lal) <- lal$id
write.csv(digits(lal), "lalonde.csv", row.names = FALSE, quote = FALSE)
f_lal <- treat ~ age + educ + black + hispan + married + nodegree + re74 + re75

yrd <- read.csv("psm_yrd_units.csv", colClasses = c(city = "character"))
rownames(yrd) <- yrd$city
f_yrd <- treat ~ gdp_pc + population + fiscal_share + openness + urbanisation

specs <- list(
  lalonde_nn1_norep = list(data = lal, f = f_lal, replace = FALSE, ratio = 1, caliper = NULL),
  lalonde_nn1_rep = list(data = lal, f = f_lal, replace = TRUE, ratio = 1, caliper = NULL),
  lalonde_nn1_norep_cal = list(data = lal, f = f_lal, replace = FALSE, ratio = 1,
                               caliper = 0.05),
  lalonde_nn1_rep_cal = list(data = lal, f = f_lal, replace = TRUE, ratio = 1,
                             caliper = 0.01),
  lalonde_nn2_norep = list(data = lal, f = f_lal, replace = FALSE, ratio = 2, caliper = NULL),
  lalonde_nn3_rep_cal = list(data = lal, f = f_lal, replace = TRUE, ratio = 3,
                             caliper = 0.02),
  yrd_nn1_norep = list(data = yrd, f = f_yrd, replace = FALSE, ratio = 1, caliper = NULL),
  yrd_nn1_rep = list(data = yrd, f = f_yrd, replace = TRUE, ratio = 1, caliper = NULL),
  yrd_nn1_norep_cal = list(data = yrd, f = f_yrd, replace = FALSE, ratio = 1, caliper = 0.05)
)

pscore <- list(); pairs <- list(); wts <- list(); bal <- list()
for (name in names(specs)) {
  s <- specs[[name]]
  dataset <- sub("_.*", "", name)
  ps <- glm(s$f, data = s$data, family = binomial(link = "logit"),
            control = glm.control(epsilon = 1e-14, maxit = 100))$fitted.values
  if (is.null(pscore[[dataset]]))
    pscore[[dataset]] <- data.frame(dataset = dataset, id = rownames(s$data),
                                    pscore = unname(ps))
  # MatchIt 4.5.1's fast path for a propensity-score *vector* (nn_matchC_vec) mis-compares
  # distances in this Debian build (the closest control below the score is always taken
  # and calipers below 1 never bind; see README_psm.md), so the same scores are given as
  # a treated x control distance matrix |p_t - p_c|, which takes MatchIt's general
  # nearest-neighbour code. m.order = "largest" needs a vector: the treated rows are
  # sorted by descending score first (stable) and m.order = "data" is used, which is the
  # same order.
  tr <- s$data$treat == 1
  ord <- c(which(tr)[order(ps[tr], decreasing = TRUE)], which(!tr))
  d2 <- s$data[ord, ]
  d2$pscore <- unname(ps[ord])
  dm <- abs(outer(d2$pscore[d2$treat == 1], d2$pscore[d2$treat == 0], "-"))
  dimnames(dm) <- list(rownames(d2)[d2$treat == 1], rownames(d2)[d2$treat == 0])
  args <- list(formula = s$f, data = d2, method = "nearest", distance = dm,
               replace = s$replace, ratio = s$ratio, m.order = "data")
  if (!is.null(s$caliper)) {
    args$caliper <- s$caliper
    args$std.caliper <- FALSE  # caliper in units of the score, not of its SD
  }
  m <- do.call(matchit, args)
  mm <- m$match.matrix
  for (r in seq_len(ncol(mm))) {
    pairs[[length(pairs) + 1]] <- data.frame(spec = name, treated = rownames(mm), rank = r,
                                             control = mm[, r])
  }
  wts[[name]] <- data.frame(spec = name, id = rownames(d2), weight = unname(m$weights))
  sm <- summary(m, standardize = TRUE, un = TRUE, addlvariables = ~pscore, data = d2)
  for (sample in c("all", "matched")) {
    tab <- if (sample == "all") sm$sum.all else sm$sum.matched
    bal[[length(bal) + 1]] <- data.frame(
      spec = name, sample = sample, covariate = rownames(tab),
      mean_treated = tab[, "Means Treated"], mean_control = tab[, "Means Control"],
      std_mean_diff = tab[, "Std. Mean Diff."], var_ratio = tab[, "Var. Ratio"])
  }
}
out_pairs <- do.call(rbind, pairs)
out_pairs <- out_pairs[!is.na(out_pairs$control), ]
write.csv(digits(do.call(rbind, pscore)), "matchit_pscore.csv", row.names = FALSE,
          quote = FALSE)
write.csv(out_pairs, "matchit_pairs.csv", row.names = FALSE, quote = FALSE)
write.csv(digits(do.call(rbind, wts)), "matchit_weights.csv", row.names = FALSE, quote = FALSE)
write.csv(digits(do.call(rbind, bal)), "matchit_balance.csv", row.names = FALSE, quote = FALSE,
          na = "NA")
cat(R.version.string, "; MatchIt", as.character(packageVersion("MatchIt")), "\n")
