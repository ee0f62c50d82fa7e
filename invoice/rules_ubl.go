package invoice

var ublSyntaxRules = []Rule{}
