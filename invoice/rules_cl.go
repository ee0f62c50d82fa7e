package invoice

var clRules = []Rule{}
