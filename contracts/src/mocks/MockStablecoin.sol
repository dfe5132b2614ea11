// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockStablecoin
/// @notice A 6-decimal dollar token for LOCAL chains only (demo data, tests).
///         Anyone can mint: it is a faucet, never deploy it to a real network.
contract MockStablecoin is ERC20, ERC20Permit {
    /// @notice `amount` was minted to `to` by `minter` through the faucet.
    event FaucetMinted(address indexed minter, address indexed to, uint256 amount);

    constructor() ERC20("Coop USD", "cUSD") ERC20Permit("Coop USD") {}

    /// @notice Six decimals, like the dollar stablecoins it stands in for.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Faucet: mint `amount` to `to`.
    /// @param to Recipient.
    /// @param amount Amount in 6-decimal units.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
        emit FaucetMinted(msg.sender, to, amount);
    }
}
