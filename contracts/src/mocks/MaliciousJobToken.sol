// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MaliciousJobToken
/// @notice An ERC20 for tests of JobBoard: on each transfer it can call a target with stored
///         calldata (re-entering the board) or skim a fee (fee-on-transfer).
/// @dev For local tests only: anyone can mint and change its mode.
contract MaliciousJobToken is ERC20 {
    /// @notice What a transfer does besides moving tokens.
    enum Mode {
        Honest,
        FeeOnTransfer,
        Reenter
    }

    Mode public mode;
    address public target;
    bytes public reentryCall;
    /// @notice Re-entry attempts made from a transfer, and how many the target allowed.
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;
    bool private _inside;

    /// @notice The token's behaviour changed.
    event ModeSet(Mode mode, address target);

    constructor() ERC20("Malicious Job Token", "EVILJ") {}

    /// @notice Mint `amount` to `to` (anyone).
    /// @param to Recipient.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Choose what transfers do: in Reenter mode, call `target_` with `call`.
    /// @param newMode The mode.
    /// @param target_ The contract to re-enter.
    /// @param call The calldata of the re-entry.
    function setMode(Mode newMode, address target_, bytes calldata call) external {
        mode = newMode;
        target = target_;
        reentryCall = call;
        emit ModeSet(newMode, target_);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (mode == Mode.FeeOnTransfer && from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
        if (_inside || from == address(0) || mode != Mode.Reenter) return;
        _inside = true;
        reentryAttempts += 1;
        (bool ok,) = target.call(reentryCall);
        if (ok) reentrySuccesses += 1;
        _inside = false;
    }
}
