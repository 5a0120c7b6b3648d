"""Rules of cadres' work on data: org-tree and roster imports, figures."""
