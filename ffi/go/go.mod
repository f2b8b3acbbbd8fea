module fivetrex

go 1.19
