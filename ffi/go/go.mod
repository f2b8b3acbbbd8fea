module github.com/fivetrex/fivetrex/ffi/go

go 1.19
