"""The posts map: funded posts of a batch run, hospital to ambulatory site.

Read as the data flows: :mod:`~zoning.map.posts.columns` names the columns (the batch's
by its schema, a hand-made file's by the vocabulary ``posts``), :mod:`~zoning.map.posts.read`
turns the file into one row per (post, site) with its programme's premium threshold,
:mod:`~zoning.map.posts.labels` writes what a post says, :mod:`~zoning.map.posts.layer`
hands the posts to the page's script, :mod:`~zoning.map.posts.page` builds the page.

On the map: hospitals (square "H" icons) and ambulatory sites (round icons), clustered
when dense; one line per post and site, coloured by status and labelled with the
distance; a circle at the premium's distance threshold around each main site (layer off
by default); popups with the verdicts, premium and funding. The layer control has one
entry per programme and one per status: a post is shown when both are ticked.
"""
