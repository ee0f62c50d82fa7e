package invoice

var brdecRules = []Rule{}
